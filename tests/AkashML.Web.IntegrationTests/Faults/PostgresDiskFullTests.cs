using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenAI;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL out of disk (SQLSTATE 53100). A disk cannot be filled here, so the real server is made to refuse writes
/// with the real error: triggers on every table of the test's own database raise <c>disk_full</c> (with PostgreSQL's own
/// message) while a flag row says so. The API answers 507 in each surface's error shape and charges nothing, the host
/// keeps serving reads, and once space returns requests succeed and the ledger is exact; a disk that fills between the
/// answer and its charge neither loses nor doubles the charge.
/// </summary>
public sealed class PostgresDiskFullTests
{
    private const string Model = "akashml/tiny-random";
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(30);

    [Theory]
    [PostgresData]
    public async Task Api_routes_answer_507_in_their_own_shape_while_the_disk_is_full_and_serve_with_an_exact_ledger_once_space_returns(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, realHttp: true);
        var (userId, key) = await SeedAsync(host);
        await using var disk = await SimulatedDisk.InstallAsync(host.Database.ConnectionString!);
        var before = await UsableAsync(host, userId);

        await disk.FillAsync(DiskMode.Full);
        var chat = await Assert.ThrowsAsync<ClientResultException>(() => OpenAi(host, key).GetChatClient(Model).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }));
        Assert.Equal(507, chat.Status);
        Assert.Contains("database is full", chat.Message, StringComparison.Ordinal);
        var anthropic = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => Anthropic(host, key).Messages.Create(AnthropicHi()));
        Assert.Contains("database is full", anthropic.Message, StringComparison.Ordinal);

        using var http = Http(host, key);
        foreach (var (route, body, anthropicShape) in Requests())
        {
            using var response = await http.PostAsync(new Uri(route, UriKind.Relative), Json(body));
            Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
            Assert.True(response.Headers.Contains("Inference-Id"), route);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if (anthropicShape)
            {
                Assert.Equal("error", (string?)error["type"]);
            }
            else
            {
                Assert.Equal("database_full", (string?)error["error"]!["code"]);
            }

            Assert.Contains("database is full", (string?)error["error"]!["message"], StringComparison.Ordinal);
            Assert.Contains("nothing was charged", (string?)error["error"]!["message"], StringComparison.Ordinal);
        }

        // The host keeps running: reads need no space.
        using (var models = await http.GetAsync(new Uri("v1/models", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        }

        Assert.Equal(before, await UsableAsync(host, userId));

        // Space returns: the same host, no restart.
        await disk.FreeAsync();
        var answer = await OpenAi(host, key).GetChatClient(Model).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 });
        Assert.NotEmpty(answer.Value.Content);
        Assert.NotNull(await Anthropic(host, key).Messages.Create(AnthropicHi()));
        foreach (var (route, body, _) in Requests())
        {
            using var response = await http.PostAsync(new Uri(route, UriKind.Relative), Json(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var ledger = await LedgerAsync(host, userId);
        Assert.Equal(2 + Requests().Count, ledger.Reservations.Count);
        Assert.All(ledger.Reservations, r => Assert.Equal(ReservationStatus.Settled, r.Status));
        Assert.Equal(before - ledger.Reservations.Sum(r => r.ChargedMicros), await UsableAsync(host, userId));
    }

    [Theory]
    [PostgresData]
    public async Task A_disk_full_at_settlement_releases_an_answer_not_delivered_and_charges_a_streamed_one_exactly_once_when_space_returns(DatabaseKind kind)
    {
        await using var host = await AkashWebHost.StartAsync(kind, realHttp: true);
        var (userId, key) = await SeedAsync(host);
        await using var disk = await SimulatedDisk.InstallAsync(host.Database.ConnectionString!);
        var before = await UsableAsync(host, userId);

        // The hold is written; the write that closes it (after generation) hits the full disk.
        await disk.FillAsync(DiskMode.SettlementOnly);
        using var http = Http(host, key);
        using (var refused = await http.PostAsync(new Uri("v1/completions", UriKind.Relative), Json($"{{\"model\":\"{Model}\",\"prompt\":\"Hello\",\"max_tokens\":4}}")))
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            Assert.Equal("database_full", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["code"]);
        }

        // A stream has delivered its tokens by the time it settles: they are owed.
        var streamed = new StringBuilder();
        await foreach (var update in OpenAi(host, key).GetChatClient(Model).CompleteChatStreamingAsync([new UserChatMessage("Count")], new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
        }

        Assert.NotEqual(0, streamed.Length);
        var during = await LedgerAsync(host, userId);
        Assert.Equal(2, during.Reservations.Count);
        Assert.All(during.Reservations, r => Assert.Equal(ReservationStatus.Open, r.Status));

        await disk.FreeAsync();
        var after = await WaitForClosedAsync(host, userId);
        var notDelivered = Assert.Single(after.Reservations, r => r.Status == ReservationStatus.Released);
        Assert.Equal(0, notDelivered.ChargedMicros);
        var charged = Assert.Single(after.Reservations, r => r.Status == ReservationStatus.Settled);
        Assert.True(charged.ChargedMicros > 0);

        // Exactly once: one release of each hold, one charge, and the balance moved by that charge alone.
        Assert.Equal(-charged.ChargedMicros, after.Entries.Where(e => e.ReservationId == charged.Id && e.Kind == LedgerEntryKind.Settlement).Sum(e => e.AmountMicros));
        Assert.All(after.Reservations, r => Assert.Equal(r.HeldMicros, after.Entries.Where(e => e.ReservationId == r.Id && e.Kind == LedgerEntryKind.Release).Sum(e => e.AmountMicros)));
        Assert.Equal(before - charged.ChargedMicros, await UsableAsync(host, userId));
    }

    private static List<(string Route, string Body, bool AnthropicShape)> Requests() =>
    [
        ("v1/chat/completions", $"{{\"model\":\"{Model}\",\"max_tokens\":4,\"messages\":[{{\"role\":\"user\",\"content\":\"Hi\"}}]}}", false),
        ("v1/chat/completions", $"{{\"model\":\"{Model}\",\"max_tokens\":4,\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"Hi\"}}]}}", false),
        ("v1/completions", $"{{\"model\":\"{Model}\",\"prompt\":\"Hello\",\"max_tokens\":4}}", false),
        ("anthropic/v1/messages", $"{{\"model\":\"{Model}\",\"max_tokens\":4,\"messages\":[{{\"role\":\"user\",\"content\":\"Hi\"}}]}}", true),
        ("anthropic/v1/messages", $"{{\"model\":\"{Model}\",\"max_tokens\":4,\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"Hi\"}}]}}", true),
    ];

    private static MessageCreateParams AnthropicHi() => new()
    {
        Model = Model,
        MaxTokens = 4,
        Messages = [new MessageParam(new UserMessageParam("hi"), null)],
    };

    private static Task<(string UserId, string Key)> SeedAsync(AkashWebHost host) => host.WithServicesAsync(async services =>
    {
        var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync(AccountFlows.NewEmail("disk-full"), AccountFlows.GoodPassword, admin: false);
        await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 100_000_000, null, "disk full test", null, CancellationToken.None);
        return (user.Id, (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "k", ApiKeyLimits.None, CancellationToken.None)).Secret);
    });

    private static Task<long> UsableAsync(AkashWebHost host, string userId) =>
        host.WithServicesAsync(async services => (await services.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None)).UsableMicros);

    /// <summary>The user's reservations and ledger entries; the pools always equal the sum of their entries.</summary>
    private static Task<(List<CreditReservation> Reservations, List<LedgerEntry> Entries)> LedgerAsync(AkashWebHost host, string userId) =>
        host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<AkashDbContext>();
            var reservations = await db.CreditReservations.AsNoTracking().Where(r => r.UserId == userId).ToListAsync();
            var entries = await db.LedgerEntries.AsNoTracking().Where(e => e.UserId == userId).ToListAsync();
            var pools = await db.CreditPools.AsNoTracking().Where(p => p.UserId == userId).ToListAsync();
            Assert.All(pools, pool => Assert.Equal(pool.RemainingMicros, entries.Where(e => e.PoolId == pool.Id).Sum(e => e.AmountMicros)));
            return (reservations, entries);
        });

    /// <summary>The ledger once no hold is open, waiting (bounded) for the host to close the holds the full disk kept open.</summary>
    private static async Task<(List<CreditReservation> Reservations, List<LedgerEntry> Entries)> WaitForClosedAsync(AkashWebHost host, string userId)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var ledger = await LedgerAsync(host, userId);
            if (ledger.Reservations.TrueForAll(r => r.Status != ReservationStatus.Open))
            {
                return ledger;
            }

            if (waited.Elapsed > SettleBound)
            {
                throw new TimeoutException($"{ledger.Reservations.Count(r => r.Status == ReservationStatus.Open)} holds still open {SettleBound.TotalSeconds} s after space returned.");
            }

            await Task.Delay(100);
        }
    }

    private static OpenAIClient OpenAi(AkashWebHost host, string key) => SdkClients.OpenAi(host.RealAddress!, key);

    private static AnthropicClient Anthropic(AkashWebHost host, string key) => SdkClients.Anthropic(host.RealAddress!, key);

    private static HttpClient Http(AkashWebHost host, string key)
    {
        var http = new HttpClient { BaseAddress = host.RealAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return http;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private enum DiskMode
    {
        /// <summary>Every write to the product's tables fails.</summary>
        Full,

        /// <summary>Only closing a credit hold fails: the disk filled between the hold and the charge.</summary>
        SettlementOnly,
    }

    /// <summary>
    /// Triggers on every table of the host's database that raise PostgreSQL's own out-of-disk error (SQLSTATE 53100,
    /// its message and hint) while the flag table says the disk is full; removed with the database.
    /// </summary>
    private sealed class SimulatedDisk(NpgsqlDataSource source) : IAsyncDisposable
    {
        private const string Install = """
            CREATE TABLE test_disk (mode text NOT NULL);
            CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM test_disk WHERE mode = 'full'
                           OR (mode = 'settlement' AND TG_TABLE_NAME = 'CreditReservations' AND TG_OP = 'UPDATE')) THEN
                    RAISE EXCEPTION 'could not extend file "base/%/%": No space left on device', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
                END IF;
                RETURN COALESCE(NEW, OLD);
            END $$;
            DO $$
            DECLARE t text;
            BEGIN
                FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'test_disk' LOOP
                    EXECUTE format('CREATE TRIGGER test_disk_full BEFORE INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION test_disk_full()', t);
                END LOOP;
            END $$;
            """;

        public static async Task<SimulatedDisk> InstallAsync(string connectionString)
        {
            var disk = new SimulatedDisk(NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString));
            await disk.RunAsync(Install);
            return disk;
        }

        public Task FillAsync(DiskMode mode) =>
            RunAsync("DELETE FROM test_disk; INSERT INTO test_disk VALUES ('" + (mode == DiskMode.Full ? "full" : "settlement") + "');");

        public Task FreeAsync() => RunAsync("DELETE FROM test_disk;");

        public ValueTask DisposeAsync() => source.DisposeAsync();

        private async Task RunAsync(string sql)
        {
            await using var command = source.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }
    }
}
