using AkashML.Web.Backends;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// Drain state lives in the database, not in one replica's memory: a backend drained on one gateway stops getting new
/// requests on another gateway on the same database (within <c>Backends:DrainRefresh</c>), a replica started later
/// starts drained, and an undrain on any replica reaches the others the same way.
/// </summary>
public sealed class SharedDrainTests
{
    [Theory, SqliteData, PostgresData]
    public async Task A_drain_made_on_one_gateway_reaches_the_others_and_so_does_the_undrain(DatabaseKind kind)
    {
        var settings = KeyedHost.Backends(("local", null, null, 8, 16, true), ("local", null, null, 8, 16, true));
        settings["Backends:DrainRefresh"] = "00:00:00.200";
        settings[$"Models:Entries:{KeyedHost.Model}:MaxOutputTokens"] = "8192";
        await using var first = await KeyedHost.StartAsync(kind, settings);
        await using var second = new KeyedHost(await AkashWebHost.StartReplicaAsync(first.Host, settings, realHttp: true), first.UserId, first.ApiKey);

        // Drained on the first gateway (as its admin page does): applied there at once, and read by the second.
        await first.Host.Services.GetRequiredService<BackendDrains>().DrainAsync(first.Pool, first.Pool.Backends[0], CancellationToken.None);
        Assert.True(first.Pool.Backends[0].Drained);
        await KeyedHost.UntilAsync(() => second.Pool.Backends[0].Drained, "the second gateway sees backend 0 drained");

        var (drained, other) = (second.Pool.Backends[0], second.Pool.Backends[1]);
        var (drainedBefore, otherBefore) = (drained.Served, other.Served);
        var chat = second.OpenAi().GetChatClient(KeyedHost.Model);
        for (var i = 0; i < 3; i++)
        {
            await chat.CompleteChatAsync([new UserChatMessage($"While drained {i}")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        }

        Assert.Equal((drainedBefore, otherBefore + 3), (drained.Served, other.Served));

        // A replica that starts now reads the drain before it routes anything of its own accord.
        await using (var third = await AkashWebHost.StartReplicaAsync(first.Host, settings, realHttp: true))
        {
            var pool = third.Services.GetRequiredService<BackendRouter>().Find(KeyedHost.Model)!;
            await KeyedHost.UntilAsync(() => pool.Backends[0].Drained, "a replica started after the drain sees backend 0 drained");
            Assert.False(pool.Backends[1].Drained);
        }

        // Undrained on the second gateway: the first one routes to backend 0 again (ties go to the first in the list).
        await second.Host.Services.GetRequiredService<BackendDrains>().UndrainAsync(second.Pool, drained, CancellationToken.None);
        Assert.False(drained.Drained);
        await KeyedHost.UntilAsync(() => !first.Pool.Backends[0].Drained, "the first gateway sees backend 0 undrained");
        var servedOnFirst = first.Pool.Backends[0].Served;
        await first.OpenAi().GetChatClient(KeyedHost.Model).CompleteChatAsync([new UserChatMessage("Undrained")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        Assert.Equal(servedOnFirst + 1, first.Pool.Backends[0].Served);

        // Draining twice, or from two replicas, is one drain; undraining an undrained backend is harmless.
        var drains = first.Host.Services.GetRequiredService<BackendDrains>();
        await drains.DrainAsync(first.Pool, first.Pool.Backends[1], CancellationToken.None);
        await second.Host.Services.GetRequiredService<BackendDrains>().DrainAsync(second.Pool, second.Pool.Backends[1], CancellationToken.None);
        await drains.UndrainAsync(first.Pool, first.Pool.Backends[1], CancellationToken.None);
        await drains.UndrainAsync(first.Pool, first.Pool.Backends[1], CancellationToken.None);
        await KeyedHost.UntilAsync(() => !second.Pool.Backends[1].Drained, "the second gateway sees backend 1 undrained");
    }
}
