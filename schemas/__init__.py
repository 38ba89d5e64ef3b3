"""The public contract: msgspec Structs for every API body (stdlib and msgspec only)."""
