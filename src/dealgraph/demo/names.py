"""Word pools for the demo workspace: people, companies, titles, and the buyer's words.

Every sentence here is written for dealgraph; the generator only picks from these
pools with its seeded random generator, so the same seed gives the same workspace.
"""

from __future__ import annotations

from dealgraph.core.enums import ProblemKind, Role

SELLERS: tuple[str, ...] = (
    "Avery Lindqvist",
    "Bianca Okafor",
    "Callum Reyes",
    "Dana Whitcombe",
    "Emeka Sorensen",
    "Farah Demir",
    "Gideon Castellano",
    "Hana Kowalczyk",
    "Imani Prescott",
    "Jonas Ferreira",
)

FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Alejandro", "Amara", "Anders", "Anika", "Arjun", "Beatriz", "Bogdan", "Camille",
    "Chen", "Chiara", "Colm", "Daniela", "Darius", "Delphine", "Diego", "Elif", "Elena",
    "Emil", "Esther", "Fatima", "Felix", "Fiona", "Gareth", "Greta", "Hamza", "Helena",
    "Hiroshi", "Ingrid", "Isaac", "Ivana", "Jamal", "Janelle", "Jasper", "Joanna", "Kai",
    "Kamala", "Karim", "Katja", "Keiko", "Leila", "Liam", "Lorenzo", "Lucia", "Magnus",
    "Maya", "Mehmet", "Mirela", "Nadia", "Naveen", "Nora", "Oksana", "Olumide", "Oscar",
    "Paloma", "Pieter", "Priya", "Quentin", "Rafael", "Rania", "Rohan", "Ruth", "Samir",
    "Sanne", "Sebastian", "Sinead", "Sofia", "Stellan", "Tamara", "Tariq", "Thea", "Tobias",
    "Ugo", "Valentina", "Viktor", "Wen", "Xavier", "Yara", "Yusuf", "Zofia",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Abernathy", "Adeyemi", "Albrecht", "Andersson", "Baptiste", "Bauer", "Bhatt", "Brennan",
    "Carvalho", "Chandra", "Costa", "Dalgaard", "Dufresne", "Eriksen", "Esposito", "Fischer",
    "Fitzgerald", "Galli", "Gonzaga", "Haddad", "Hartmann", "Hoffmann", "Ibrahim", "Iwasaki",
    "Jankowski", "Jovanovic", "Kaplan", "Keller", "Khan", "Kiplagat", "Laurent", "Lindgren",
    "MacAllister", "Marchetti", "Mendes", "Moreau", "Nakamura", "Nguyen", "Novak", "Nyberg",
    "O'Donnell", "Okonkwo", "Olsen", "Park", "Petrova", "Quigley", "Ramaswamy", "Richter",
    "Rossi", "Saarinen", "Salazar", "Schmidt", "Silva", "Sokolov", "Sutherland", "Takahashi",
    "Tanaka", "Thornton", "Ueda", "Vasquez", "Verhoeven", "Wagner", "Walsh", "Weber",
    "Yilmaz", "Zhang", "Zielinski",
)  # fmt: skip

COMPANY_HEADS: tuple[str, ...] = (
    "Alderbrook", "Amberline", "Bluefjord", "Brightwater", "Cedarpoint", "Coppervale",
    "Driftwood", "Eastgate", "Emberly", "Fernhill", "Foxglove", "Granite Peak", "Harborview",
    "Highmoor", "Ironbridge", "Juniper", "Kestrel", "Lakeshore", "Larkspur", "Meridian",
    "Northwind", "Oakhaven", "Pinecrest", "Quarry Lane", "Redwing", "Riverbend", "Saltmarsh",
    "Silverleaf", "Stonefield", "Summitline", "Tidewater", "Trailhead", "Umberfield",
    "Valemont", "Westbrook", "Willowmere", "Yarrow", "Zephyr",
)  # fmt: skip

INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Manufacturing": ("Fabrication", "Components", "Industries", "Precision Works"),
    "Logistics": ("Freight", "Logistics", "Distribution", "Supply Co."),
    "Healthcare": ("Health", "Clinics", "Medical Group", "Care Partners"),
    "Financial services": ("Capital", "Financial", "Mutual", "Credit Union"),
    "Retail": ("Retail Group", "Outfitters", "Markets", "Stores"),
    "Software": ("Software", "Labs", "Systems", "Digital"),
    "Energy": ("Energy", "Power", "Renewables", "Utilities"),
    "Professional services": ("Consulting", "Advisory", "Partners", "Associates"),
    "Education": ("Learning", "Academy", "Education Trust", "College Network"),
    "Construction": ("Builders", "Construction", "Engineering", "Infrastructure"),
}

REGIONS: tuple[tuple[str, float], ...] = (
    ("North America", 0.46),
    ("UK & Ireland", 0.12),
    ("DACH", 0.1),
    ("Benelux & Nordics", 0.1),
    ("Southern Europe", 0.07),
    ("APAC", 0.1),
    ("Latin America", 0.05),
)

EURO_REGIONS = frozenset({"DACH", "Benelux & Nordics", "Southern Europe"})

OFFERINGS: tuple[tuple[str, str, str], ...] = (
    (
        "ops-analytics",
        "Operations Analytics",
        "Dashboards and alerts that show where work piles up across teams and sites.",
    ),
    (
        "workflow-automation",
        "Workflow Automation",
        "Routes approvals and hand-offs automatically so nothing waits in an inbox.",
    ),
    (
        "data-hub",
        "Data Integration Hub",
        "Connects ERP, CRM and spreadsheets into one trusted set of operational data.",
    ),
    (
        "advisory",
        "Transformation Advisory",
        "Consultants who help a buyer redesign a process before any software is switched on.",
    ),
    (
        "enablement",
        "Adoption & Enablement",
        "Training, playbooks and success reviews that get people using what was bought.",
    ),
)

DEAL_PURPOSES: tuple[str, ...] = (
    "rollout",
    "pilot",
    "expansion",
    "first phase",
    "renewal and upgrade",
    "regional launch",
    "proof of value",
)

# Titles by role and Jaques level: (level, title). The generator picks a level first.
ROLE_TITLES: dict[Role, dict[int, tuple[str, ...]]] = {
    Role.ECONOMIC_BUYER: {
        3: ("Head of Operations", "Finance Manager"),
        4: ("Director of Operations", "Finance Director", "VP Operations"),
        5: ("Chief Operating Officer", "Chief Financial Officer", "General Manager"),
        6: ("Group CFO", "Executive Vice President", "Group COO"),
    },
    Role.DECISION_MAKER: {
        3: ("Head of Process Excellence", "Operations Manager"),
        4: ("Director of Business Systems", "VP Supply Chain", "Director of Shared Services"),
        5: ("Chief Information Officer", "SVP Operations"),
    },
    Role.APPROVER: {
        2: ("Procurement Specialist", "Contracts Officer"),
        3: ("Procurement Manager", "Legal Counsel", "IT Security Lead"),
        4: ("Head of Procurement", "General Counsel"),
        5: ("Chief Procurement Officer",),
    },
    Role.EVALUATOR: {
        2: ("Business Analyst", "Solutions Architect", "Systems Analyst"),
        3: ("Enterprise Architect", "IT Manager", "Data Platform Lead"),
    },
    Role.USER: {
        1: ("Planner", "Coordinator", "Dispatcher", "Analyst"),
        2: ("Team Lead", "Shift Supervisor", "Senior Analyst"),
    },
    Role.CHAMPION: {
        2: ("Operations Lead", "Project Manager"),
        3: ("Process Improvement Manager", "Program Manager", "Head of Analytics"),
        4: ("Director of Transformation",),
    },
    Role.INFLUENCER: {
        2: ("Senior Engineer", "Internal Consultant"),
        3: ("Regional Manager", "Head of Customer Service"),
        4: ("Director of Strategy", "VP Sales"),
    },
    Role.GATEKEEPER: {
        2: ("Executive Assistant", "Vendor Manager"),
        3: ("Chief of Staff", "IT Governance Manager"),
    },
    Role.OTHER: {
        1: ("Trainee", "Administrator"),
        2: ("HR Business Partner", "Quality Specialist"),
        3: ("Compliance Manager",),
    },
}

LOSS_REASONS: dict[str, tuple[str, ...]] = {
    "lost": (
        "chose a competitor",
        "no budget",
        "price too high",
        "champion left",
        "security review failed",
        "built it in-house",
    ),
    "no_decision": (
        "stayed with the status quo",
        "priorities changed",
        "project shelved",
        "went dark",
        "no budget",
    ),
}

PROBLEMS: dict[ProblemKind, tuple[str, ...]] = {
    ProblemKind.GOAL: (
        "Cut order-to-cash time by a third before the next fiscal year",
        "Give regional managers one weekly view of {area} performance",
        "Grow output without adding headcount in {area}",
        "Reach a first-time-right rate above 95% in {area}",
        "Move {area} reporting from monthly to daily",
        "Free senior staff from manual reconciliation so they can plan ahead",
    ),
    ProblemKind.PRESSURE: (
        "The board asked for margin improvement of two points this year",
        "A large customer threatened to leave over late deliveries",
        "Auditors flagged gaps in how {area} approvals are recorded",
        "Competitors quote in hours while we take days",
        "Two experienced people in {area} retire within a year",
        "Costs in {area} rose faster than revenue for three quarters",
    ),
    ProblemKind.OBSTACLE: (
        "Data about {area} lives in five spreadsheets nobody fully trusts",
        "IT is booked solid with an ERP upgrade until next spring",
        "Teams in different regions follow different versions of the process",
        "Last year's tool rollout failed, so people are wary of another",
        "Nobody owns {area} end to end, so fixes stall between teams",
        "Budget for new tools is frozen until the plan is re-approved",
    ),
    ProblemKind.INITIATIVE: (
        "A company-wide operational excellence program led by the COO",
        "Consolidating {area} into a shared service center",
        "A cloud-first program that retires on-premise systems",
        "A customer-experience initiative with targets for response time",
        "Standardising {area} across the acquired business units",
    ),
}

PROBLEM_AREAS: tuple[str, ...] = (
    "order handling",
    "field service",
    "procurement",
    "inventory planning",
    "customer onboarding",
    "invoicing",
    "scheduling",
    "quality control",
)

SELLER_PLAN_ITEMS: tuple[str, ...] = (
    "Share two reference customers of a similar size",
    "Send a draft business case for review",
    "Prepare the security and privacy questionnaire answers",
    "Propose an implementation timeline",
    "Arrange a session with our solution architect",
    "Send the commercial proposal",
)

BUYER_PLAN_ITEMS: tuple[str, ...] = (
    "Confirm who signs off on the budget",
    "Share current process volumes and costs",
    "Book time with the IT security team",
    "Nominate the people for the evaluation group",
    "Agree internally on the must-have requirements",
)

JOINT_PLAN_ITEMS: tuple[str, ...] = (
    "Working session on success criteria",
    "Review the pilot results together",
    "Walk through the contract redlines",
    "Kick-off meeting with the project team",
    "Agree the go-live date",
)

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "email": (
        "Sent a short recap of the last conversation and the agreed next step",
        "Shared an article on how peers measured a similar change",
        "Followed up on the open question from the last meeting",
    ),
    "phone": (
        "Quick call to check whether the timeline still holds",
        "Called to confirm attendance at the next working session",
    ),
    "social": (
        "Commented on a post about their operations program",
        "Connected and shared a relevant case study",
    ),
    "event": (
        "Met at an industry roundtable on operations",
        "Attended our webinar on process benchmarks",
    ),
    "inside": (
        "Inside-sales check-in on progress and blockers",
        "Inside-sales call to collect data for the business case",
    ),
    "virtual": ("Short video check-in on open actions",),
    "field": ("Stopped by their site after a customer visit nearby",),
}

NO_REPLY: dict[str, tuple[str, ...]] = {
    "email": (
        "Emailed to ask whether the project is still a priority; no answer",
        "Sent a note with a new idea for their team; no response",
        "Shared a short customer story by email; not opened",
    ),
    "phone": (
        "Left a voicemail; no call back yet",
        "Called twice, went to voicemail both times",
    ),
    "social": (
        "Reached out on social media; message unread",
        "Sent a connection note with an article; no reply",
    ),
}

SETBACKS = (
    "The buyer reopened an earlier question after a change in leadership",
    "A new stakeholder challenged the agreed scope",
    "Budget review pushed the topic back to the problem definition",
    "The evaluation group disagreed on what success looks like",
)

RECOVERIES = (
    "Re-aligned the team on the agreed problem and the next step",
    "Walked the new stakeholder through the earlier conclusions; they agreed",
)

CLOSING_WORDS: dict[str, tuple[str, ...]] = {
    "lost": (
        "The buyer told us they will go another way",
        "Received a short note that the project will not go ahead with us",
    ),
    "no_decision": (
        "The buyer paused the initiative without a decision",
        "No answer after repeated follow-ups; closing the opportunity",
    ),
}
