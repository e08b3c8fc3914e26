from conftest import run

from nanobanana_desktop.api import GenerationRequest, TaskStatus


def test_generate_query_download_over_loopback(sandbox, make_client):
    async def scenario():
        async with make_client() as client:
            task_id = await client.generate(GenerationRequest("google/gempix2", "a lemon"))
            snapshot = await client.query(task_id)
            while not snapshot.is_final:
                snapshot = await client.query(task_id)
            return snapshot, await client.balance()

    snapshot, credit = run(scenario())
    assert snapshot.status is TaskStatus.SUCCESS
    assert snapshot.images[0].startswith(sandbox.cdn_url)
    assert str(snapshot.consumed) == "0.500000"
    assert credit == 100 - snapshot.consumed
