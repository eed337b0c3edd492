"""The read a render makes, the outfit with the image each of its items is drawn with, and the read
of one outfit: the same on memory, SQLite and Postgres, and the same as reading the outfit and the
photos apart."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from closet.application.ports.outfits import StoredRender
from closet.application.ports.uow import UnitOfWork
from closet.domain.images import Cutout, CutoutProvider, ItemPhoto
from closet.domain.outfits import Canvas, Layer, Outfit, OutfitDetails
from tests.contract.test_photo_and_job_repositories import NOW, blob, photo
from tests.factories import make_item, make_user

UowFactory = Callable[[], UnitOfWork]


def cut_out(seed: str) -> ItemPhoto:
    cutout = Cutout(blob(seed + "c", "image/png"), CutoutProvider.LOCAL, millis=40, coverage=0.5)
    return photo(seed).with_cutout(cutout, ("navy",))


async def test_the_outfit_with_its_images_is_one_read_owner_scoped(uow_factory: UowFactory) -> None:
    ann, ben = make_user(), make_user()
    shot, bare, worn_twice, undone, redoing = (make_item(ann) for _ in range(5))
    layers = (
        Layer(shot.id, 100, 100, 0.5, 10, z=3),
        Layer(bare.id, 200, 200, z=1),  # no photo yet: nothing to draw
        Layer(worn_twice.id, 300, 300, z=2),
        Layer(worn_twice.id, 320, 330, 0.8, -5, z=7),  # one item on two layers: one image
        Layer(undone.id, 50, 60, z=4),
        Layer(redoing.id, 70, 80, z=5),
        Layer(None, 90, 90, z=6),  # a template's empty slot
    )
    outfit = Outfit.create(ann.id, OutfitDetails("Look", Canvas(1080, 1350, "#ffffff"), layers), NOW)
    empty = Outfit.create(ann.id, OutfitDetails("Nothing yet", Canvas(400, 400)), NOW)
    photos = {
        shot.id: cut_out("s"),  # drawn with its cut-out
        worn_twice.id: photo("w"),  # no cut-out yet: drawn with the photo
        undone.id: cut_out("u").reverted(),  # the owner chose the photo over the cut-out
        redoing.id: cut_out("r").queued(None, uuid.uuid4()),  # the cut-out stays until a new one lands
    }
    async with uow_factory() as uow:
        await uow.users.add(ann)
        await uow.users.add(ben)
        for item in (shot, bare, worn_twice, undone, redoing):
            await uow.items.add(item)
        for item_id, item_photo in photos.items():
            await uow.photos.save(ann.id, item_id, item_photo, expected_revision=None)
        await uow.outfits.add(outfit)
        await uow.outfits.add(empty)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.outfits.get_to_render(ann.id, outfit.id)
        alone = await uow.outfits.get(ann.id, outfit.id)
        stored = await uow.photos.many(ann.id, outfit.details.item_ids)
        assert found is not None and alone is not None
        assert found.outfit == alone
        assert alone.details.layers == tuple(sorted(layers, key=lambda la: la.z))  # as saved, in z order
        assert (alone.details.name, alone.details.canvas, alone.version) == ("Look", outfit.details.canvas, 1)
        assert [la.z for la in found.outfit.details.layers] == [1, 2, 3, 4, 5, 6, 7]
        assert stored == photos
        assert found.images == {item_id: item_photo.drawn for item_id, item_photo in photos.items()}
        cutout_of = {item_id: p.cutout.blob.key for item_id, p in photos.items() if p.cutout}
        assert found.images[shot.id] == cutout_of[shot.id]
        assert found.images[redoing.id] == cutout_of[redoing.id]
        assert found.images[worn_twice.id] == photos[worn_twice.id].original.key
        assert found.images[undone.id] == photos[undone.id].original.key

        nothing = await uow.outfits.get_to_render(ann.id, empty.id)
        assert nothing is not None and nothing.outfit == await uow.outfits.get(ann.id, empty.id)
        assert nothing.outfit.details.layers == () and nothing.images == {}

        assert await uow.outfits.get_to_render(ben.id, outfit.id) is None  # not ben's
        assert await uow.outfits.get(ben.id, outfit.id) is None

    async with uow_factory() as uow:  # a delete says whether it deleted anything
        assert await uow.outfits.delete(ben.id, outfit.id) is None  # not ben's: nothing
        assert await uow.outfits.delete(ann.id, empty.id) == []  # deleted: it had no renders
        assert await uow.outfits.delete(ann.id, empty.id) is None  # gone already
        await uow.commit()
        assert await uow.outfits.get_to_render(ben.id, empty.id) is None


async def test_one_picture_stored_twice_keeps_one_row_and_hands_back_the_second_reference(
    uow_factory: UowFactory,
) -> None:
    """Two requests that drew the same picture store it one after the other: one row stays, and
    the second caller is handed back one reference to release, so the image store counts one
    reference for the one row. (Two at once on Postgres: one is refused as contention, and its
    caller releases the reference it took; the render is served all the same.)"""
    ann = make_user()
    outfit = Outfit.create(ann.id, OutfitDetails("Look", Canvas(400, 400)), NOW)
    async with uow_factory() as uow:
        await uow.users.add(ann)
        await uow.outfits.add(outfit)
        await uow.commit()
    render = StoredRender(blob("pic", "image/png").key, "image/png", 400, 400)
    handed_back = []
    for _ in range(2):
        async with uow_factory() as uow:
            handed_back.append(await uow.outfits.save_render(outfit.id, "k" * 64, render))
            await uow.commit()
    assert handed_back == [[], [render.key]]
    async with uow_factory() as uow:
        assert await uow.outfits.get_render(outfit.id, "k" * 64) == render
