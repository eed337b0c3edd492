"""The read a render makes, the outfit with its items' photos: the same on memory, SQLite and
Postgres, and the same as reading the outfit and the photos apart."""

from __future__ import annotations

from collections.abc import Callable

from closet.application.ports.uow import UnitOfWork
from closet.domain.outfits import Canvas, Layer, Outfit, OutfitDetails
from tests.contract.test_photo_and_job_repositories import NOW, photo
from tests.factories import make_item, make_user

UowFactory = Callable[[], UnitOfWork]


async def test_the_outfit_with_its_photos_is_one_read_owner_scoped(uow_factory: UowFactory) -> None:
    ann, ben = make_user(), make_user()
    shot, bare, worn_twice = make_item(ann), make_item(ann), make_item(ann)
    layers = (
        Layer(shot.id, 100, 100, 0.5, 10, z=3),
        Layer(bare.id, 200, 200, z=1),  # no photo yet: not in the photos
        Layer(worn_twice.id, 300, 300, z=2),
        Layer(worn_twice.id, 320, 330, 0.8, -5, z=7),  # one item on two layers: one photo
    )
    outfit = Outfit.create(ann.id, OutfitDetails("Look", Canvas(1080, 1350, "#ffffff"), layers), NOW)
    empty = Outfit.create(ann.id, OutfitDetails("Nothing yet", Canvas(400, 400)), NOW)
    shot_photo, worn_photo = photo("s"), photo("w")
    async with uow_factory() as uow:
        await uow.users.add(ann)
        await uow.users.add(ben)
        for item in (shot, bare, worn_twice):
            await uow.items.add(item)
        await uow.photos.save(ann.id, shot.id, shot_photo, expected_revision=None)
        await uow.photos.save(ann.id, worn_twice.id, worn_photo, expected_revision=None)
        await uow.outfits.add(outfit)
        await uow.outfits.add(empty)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.outfits.get_with_photos(ann.id, outfit.id)
        alone = await uow.outfits.get(ann.id, outfit.id)
        photos = await uow.photos.many(ann.id, outfit.details.item_ids)
        assert found is not None and alone is not None
        assert found.outfit == alone
        assert [la.z for la in found.outfit.details.layers] == [1, 2, 3, 7]
        assert found.photos == photos == {shot.id: shot_photo, worn_twice.id: worn_photo}

        nothing = await uow.outfits.get_with_photos(ann.id, empty.id)
        assert nothing is not None and nothing.outfit == await uow.outfits.get(ann.id, empty.id)
        assert nothing.outfit.details.layers == () and nothing.photos == {}

        assert await uow.outfits.get_with_photos(ben.id, outfit.id) is None  # not ben's
        assert await uow.outfits.get_with_photos(ben.id, empty.id) is None
