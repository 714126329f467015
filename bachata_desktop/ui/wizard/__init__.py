"""The choreography generator wizard: song → preferences → result (timeline, reasons, swap, save, export)."""
