"""Bulk import of members from CSV and XLSX files exported by the member database."""

from fastapi import UploadFile
from sqlmodel import Session

from server.auth.principal import Principal
from server.config import Settings
from server.errors import Unprocessable
from shared.schemas.members import ImportReport


def import_file(session: Session, principal: Principal, settings: Settings, file: UploadFile, *,
                default_org_id: int | None, import_valid_rows: bool, dry_run: bool) -> ImportReport:
    # replaced by the importer
    raise Unprocessable("Chức năng nhập tệp đang được hoàn thiện.", code="not_ready")
