"""The model-selection page's charts, tables and diagram."""
