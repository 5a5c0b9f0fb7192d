"""Labels, receipts, guide sheets and PDFs, rendered without widgets."""
