"""CRM imports: Salesforce and HubSpot presets and a generic opportunities CSV with a mapping."""
