"""`lvscc serve`: the guide's Piranha Configuration Tool done lvscc's way (docs/serve.md).

A small Starlette application over what lvscc already has: the auditor's verdicts drawn as a
server-side SVG, the config with its diagnostics, each host's compiled artifacts, and safe
edits through `fmt`. Watch's events drive a server-sent event stream; nothing here touches
the kernel. Imported only by `lvscc serve`, so other commands never load the web stack."""
