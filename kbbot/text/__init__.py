"""Pure text functions: mention neutralising, plain-text layout of replies, tag spelling."""
