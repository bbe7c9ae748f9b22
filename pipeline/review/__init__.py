"""Review and sign-off: the approval ledger, bilingual review sheets and `approve`."""
