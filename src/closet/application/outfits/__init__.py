"""Outfits: the layered canvas, its render, templates, share links, the wear log."""

from closet.application.outfits.common import OutfitRef
from closet.application.outfits.crud import (
    CreateOutfit,
    CreateOutfitCommand,
    DeleteOutfit,
    DuplicateOutfit,
    GetOutfit,
    ListOutfits,
    ListOutfitsCommand,
    OutfitView,
    UpdateOutfit,
    UpdateOutfitCommand,
)
from closet.application.outfits.render import RenderCommand, RenderedOutfit, RenderOutfit
from closet.application.outfits.shares import (
    CreateShare,
    CreateShareCommand,
    ListShares,
    OpenShare,
    RevokeShare,
    RevokeShareCommand,
    SharedOutfit,
)
from closet.application.outfits.templates import (
    FillTemplate,
    FillTemplateCommand,
    SaveTemplate,
    SaveTemplateCommand,
)
from closet.application.outfits.wear import (
    ListWears,
    UnwearItem,
    UnwearOutfit,
    WearItem,
    WearItemCommand,
    WearOutfit,
    WearOutfitCommand,
    WearResult,
)

__all__ = [
    "CreateOutfit",
    "CreateOutfitCommand",
    "CreateShare",
    "CreateShareCommand",
    "DeleteOutfit",
    "DuplicateOutfit",
    "FillTemplate",
    "FillTemplateCommand",
    "GetOutfit",
    "ListOutfits",
    "ListOutfitsCommand",
    "ListShares",
    "ListWears",
    "OpenShare",
    "OutfitRef",
    "OutfitView",
    "RenderCommand",
    "RenderOutfit",
    "RenderedOutfit",
    "RevokeShare",
    "RevokeShareCommand",
    "SaveTemplate",
    "SaveTemplateCommand",
    "SharedOutfit",
    "UnwearItem",
    "UnwearOutfit",
    "UpdateOutfit",
    "UpdateOutfitCommand",
    "WearItem",
    "WearItemCommand",
    "WearOutfit",
    "WearOutfitCommand",
    "WearResult",
]
