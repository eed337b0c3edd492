"""Small provider functions that hand Litestar what a handler needs from the container."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.datastructures import State
from litestar.di import Provide

USE_CASES = (
    "register_user",
    "log_in",
    "refresh",
    "log_out",
    "list_sessions",
    "get_profile",
    "update_profile",
    "change_password",
    "request_password_reset",
    "reset_password",
    "verify_email",
    "resend_verification",
    "start_totp",
    "confirm_totp",
    "disable_totp",
    "renew_recovery_codes",
    "list_users",
    "set_disabled",
    "set_roles",
    "user_audit",
    "add_item",
    "get_item",
    "update_item",
    "archive_item",
    "restore_item",
    "delete_item",
    "list_items",
    "item_facets",
    "upload_photo",
    "add_item_with_photo",
    "get_photo",
    "request_cutout",
    "revert_cutout",
    "upload_mask",
    "create_outfit",
    "get_outfit",
    "update_outfit",
    "delete_outfit",
    "duplicate_outfit",
    "list_outfits",
    "render_outfit",
    "save_template",
    "fill_template",
    "create_share",
    "list_shares",
    "revoke_share",
    "open_share",
    "wear_outfit",
    "unwear_outfit",
    "wear_item",
    "unwear_item",
    "list_wears",
    "create_collection",
    "get_collection",
    "list_collections",
    "update_collection",
    "delete_collection",
    "change_members",
    "list_collection_items",
    "export_closet",
    "export_items_csv",
    "import_closet",
    "search",
    "suggest",
    "check_readiness",
)


def _from_container(name: str) -> Callable[[State], Any]:
    def provide(state: State) -> Any:
        return getattr(state.container, name)()

    provide.__name__ = f"provide_{name}"
    return provide


def provide_tokens(state: State) -> Any:
    return state.tokens


def dependencies() -> dict[str, Provide]:
    deps = {name: Provide(_from_container(name), sync_to_thread=False) for name in USE_CASES}
    deps["tokens"] = Provide(provide_tokens, sync_to_thread=False)
    return deps
