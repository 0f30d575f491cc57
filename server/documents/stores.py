"""The store this installation keeps its files in: a local directory (default) or the database every host
reaches (`SOTAY_FILE_STORE=database`). Apart from both stores, so neither imports the other."""

from server.config import Settings
from server.db import make_engine
from server.documents.dbstore import DatabaseFileStore
from server.documents.storage import FileStore, LocalFileStore

_shared: dict[str, FileStore] = {}


def get_store(settings: Settings) -> FileStore:
    """The configured store: a local directory (default) or the database every host reaches."""
    if settings.file_store == "local":
        return LocalFileStore(settings.files_dir)
    url = str(settings.database_url)
    store = _shared.get(url)
    if store is None:
        # One small engine per database for the process: files are read chunk by chunk, outside the
        # request's own transaction, so a download never holds the request's connection.
        engine = make_engine(settings.model_copy(update={"db_pool_size": 4, "db_max_overflow": 4}))
        store = _shared[url] = DatabaseFileStore(engine, settings.data_dir / "upload-tmp")
    return store
