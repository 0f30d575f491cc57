"""Wire schemas: request bodies (`XCreate`, `XUpdate`) and responses (`XPublic`) of the API."""
