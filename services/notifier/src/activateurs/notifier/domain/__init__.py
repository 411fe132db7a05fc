"""Pure delivery rules: states, retry schedule, Message-ID, address checks."""
