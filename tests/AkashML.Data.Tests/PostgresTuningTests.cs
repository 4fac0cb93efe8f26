using AkashML.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AkashML.Data.Tests;

public sealed class PostgresTuningTests
{
    [Fact]
    public async Task The_context_pool_connects_without_session_resets_and_with_auto_prepare_unless_the_operator_chose()
    {
        var services = new ServiceCollection();
        services.AddAkashMLData("Host=127.0.0.1;Port=1;Username=u;Database=d", "unused.db");
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var used = new NpgsqlConnectionStringBuilder(scope.ServiceProvider.GetRequiredService<AkashDbContext>().Database.GetConnectionString());
        Assert.True(used.NoResetOnClose);
        Assert.Equal(64, used.MaxAutoPrepare);
        Assert.Equal("127.0.0.1", used.Host);
        Assert.Equal("d", used.Database);

        var chosen = new NpgsqlConnectionStringBuilder(DatabaseRegistration.Tuned("Host=h;NoResetOnClose=false;Max Auto Prepare=0"));
        Assert.False(chosen.NoResetOnClose);
        Assert.Equal(0, chosen.MaxAutoPrepare);
    }
}
