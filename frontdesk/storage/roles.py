"""Database roles for several desks on one PostgreSQL.

The schema belongs to the owner role that runs the migrations (``frontdesk
db migrate``).  Desks connect as a *desk role*: not the owner, not a
superuser, so it cannot ``ALTER TABLE`` or ``DISABLE TRIGGER``; it may read
and write the working tables, but the audit log only takes new rows (no
UPDATE, DELETE or TRUNCATE privilege, besides the append-only triggers) and
the schema version is read-only.

The desk roles of a schema are remembered in ``schema_meta``
(``desk_role:NAME``) and their grants are renewed after every migration
that applied something, so tables added later are usable by the desks too.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, urlparse, urlunparse

from frontdesk.errors import DatabaseError, ValidationError
from frontdesk.i18n import tr
from frontdesk.storage import db as dbmod
from frontdesk.storage.db import database

log = logging.getLogger(__name__)

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
META_PREFIX = "desk_role:"
# Tables the desks may only add to (and read); their rows are never changed or removed by a desk.
APPEND_ONLY = ("audit_log",)
# Tables the desks may only read.
READ_ONLY = ("schema_meta",)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name or ""):
        raise ValidationError(tr("角色名只能用小写字母、数字和下划线，且不能以数字开头：{n}",
                                 "A role name may hold only lower-case letters, digits and underscores, and may not "
                                 "start with a digit: {n}", n=name))
    return name


def _require_postgresql() -> None:
    if dbmod.dialect() != "postgresql":
        raise DatabaseError(tr("前台角色只用于 PostgreSQL（多台前台）。单机 SQLite 不需要。",
                               "Desk roles are for PostgreSQL (several desks); a single-desk SQLite database needs "
                               "none."))


def _scalar(sql: str, params=()):
    row = database.execute_sql(sql, params).fetchone()
    return row[0] if row else None


def create_desk_role(name: str, password: str | None = None) -> None:
    """Create (or bring into line) the desk role ``name`` and grant it what a desk needs in this schema.

    Run as the owner of the schema (who must also be allowed to create roles).
    """
    _require_postgresql()
    check_role_name(name)
    me = _scalar("SELECT current_user")
    if name == me:
        raise ValidationError(tr("前台角色不能是运行迁移的所有者“{n}”本身。请换一个名字。",
                                 "The desk role cannot be the owner “{n}” that runs the migrations. Choose another "
                                 "name.", n=name))
    existing = database.execute_sql("SELECT rolsuper OR rolreplication OR rolbypassrls FROM pg_roles "
                                    "WHERE rolname = %s", (name,)).fetchone()
    if existing and existing[0]:
        raise ValidationError(tr("角色“{n}”是超级用户（或有复制/绕过行安全的权限），不能作为前台角色。", "The role “{n}” is a superuser (or may "
                                 "replicate or bypass row security) and cannot be a desk role.", n=name))
    owns = _scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = %s", (name,))
    if owns:
        raise ValidationError(tr("角色“{n}”拥有本库的表（它是所有者），不能作为前台角色。",
                                 "The role “{n}” owns tables of this database (it is an owner) and cannot be a desk "
                                 "role.", n=name))
    # ALTER names only what an owner with CREATEROLE may change; superuser/replication were refused above.
    attributes = "LOGIN NOCREATEDB NOCREATEROLE" if existing else "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
    verb = "ALTER" if existing else "CREATE"
    with dbmod.errors_translated():
        try:
            with database.atomic():
                if password is None:
                    database.execute_sql(f"{verb} ROLE {_ident(name)} {attributes}")
                else:
                    database.execute_sql(f"{verb} ROLE {_ident(name)} {attributes} PASSWORD %s", (password,))
                key = META_PREFIX + name
                if not _scalar("SELECT count(*) FROM schema_meta WHERE key = %s", (key,)):
                    database.execute_sql("INSERT INTO schema_meta (key, value) VALUES (%s, '')", (key,))
                grant(name)
        except Exception as exc:
            if "permission denied to create role" in str(exc).lower() or "permission denied to alter role" in str(
                    exc).lower():
                raise DatabaseError(tr("用户“{u}”没有创建角色的权限。请用有 CREATEROLE 权限的所有者运行。",
                                       "The user “{u}” may not create roles. Run this as an owner with the "
                                       "CREATEROLE privilege.", u=me)) from exc
            raise
    log.info("desk role %s %s", name, "updated" if existing else "created")


def grant(name: str) -> None:
    """The desk's privileges on every table and sequence of the current schema, set afresh."""
    role = _ident(name)
    schema = _ident(_scalar("SELECT current_schema()"))
    dbname = _ident(_scalar("SELECT current_database()"))
    statements = [
        f"GRANT CONNECT ON DATABASE {dbname} TO {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
    tables = {row[0] for row in database.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    for table in APPEND_ONLY:
        if table in tables:
            statements.append(f"REVOKE UPDATE, DELETE ON {schema}.{_ident(table)} FROM {role}")
    for table in READ_ONLY:
        if table in tables:
            statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {schema}.{_ident(table)} FROM {role}")
    for statement in statements:
        database.execute_sql(statement)


def desk_roles() -> list[str]:
    """The desk roles recorded for this schema that still exist on the server."""
    rows = database.execute_sql(
        "SELECT substr(m.key, %s) FROM schema_meta m JOIN pg_roles r ON r.rolname = substr(m.key, %s) "
        "WHERE m.key LIKE %s ORDER BY 1", (len(META_PREFIX) + 1, len(META_PREFIX) + 1, META_PREFIX + "%"))
    return [row[0] for row in rows]


def regrant_all() -> list[str]:
    """Renew the grants of every desk role (after a migration added or replaced tables)."""
    if dbmod.dialect() != "postgresql" or not dbmod.has_table("schema_meta"):
        return []
    names = desk_roles()
    if names:
        with database.atomic():
            for name in names:
                grant(name)
        log.info("grants renewed for desk roles %s", names)
    return names


def desk_url(owner_url: str, name: str, *, with_password: str | None = None) -> str:
    """The owner's URL with the desk role as its user (the password only when asked to put it in)."""
    parts = urlparse(owner_url)
    host = parts.hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    netloc = quote(name, safe="")
    if with_password is not None:
        netloc += ":" + quote(with_password, safe="")
    netloc += "@" + host + (f":{parts.port}" if parts.port else "")
    return urlunparse((parts.scheme, netloc, parts.path, parts.params, parts.query, parts.fragment))
