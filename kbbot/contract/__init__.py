"""The contract between the core and the adapters: inbound events, outbound replies, the ports and button ids."""
