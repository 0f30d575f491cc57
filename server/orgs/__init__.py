"""Organisation tree: đảng bộ at every level down to chi bộ."""
