"""What the server and the client both speak: wire schemas, enums, Vietnamese text helpers."""
