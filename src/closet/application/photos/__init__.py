"""Item photos: upload and normalise, cut out (a job), serve."""

from closet.application.photos.chain import ChainResult, CutoutChain, CutoutFailed
from closet.application.photos.common import CUTOUT_JOB, PhotoKit
from closet.application.photos.cutouts import (
    CutoutCommand,
    MakeCutout,
    RequestCutout,
    RevertCutout,
    UploadMask,
    UploadMaskCommand,
)
from closet.application.photos.serve import GetPhoto, GetPhotoCommand, PhotoBytes
from closet.application.photos.upload import (
    AddItemWithPhoto,
    AddItemWithPhotoCommand,
    PhotoUploaded,
    UploadPhoto,
    UploadPhotoCommand,
)

__all__ = [
    "CUTOUT_JOB",
    "AddItemWithPhoto",
    "AddItemWithPhotoCommand",
    "ChainResult",
    "CutoutChain",
    "CutoutCommand",
    "CutoutFailed",
    "GetPhoto",
    "GetPhotoCommand",
    "MakeCutout",
    "PhotoBytes",
    "PhotoKit",
    "PhotoUploaded",
    "RequestCutout",
    "RevertCutout",
    "UploadMask",
    "UploadMaskCommand",
    "UploadPhoto",
    "UploadPhotoCommand",
]
