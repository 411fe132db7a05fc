"""The back-office of the DGE and the DREETS, under /administration: one module per part of the work."""
