"""Layer interventions (`tltui localise`): where the inherited weakness lives, checked by changing one layer."""
