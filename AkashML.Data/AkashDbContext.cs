using AkashML.Data.Backends;
using AkashML.Data.Billing;
using AkashML.Data.Identity;
using AkashML.Data.Inferences;
using AkashML.Data.Keys;
using AkashML.Data.Presets;
using AkashML.Data.Usage;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AkashML.Data;

/// <summary>
/// The platform's database: Identity plus the tables of keys, usage, billing and presets as they arrive.
/// </summary>
/// <remarks>
/// Provider-specific subclasses carry their own migration sets. After a model change add both:
/// <code>
/// dotnet ef migrations add NAME --project AkashML.Data --context PostgresAkashDbContext --output-dir Migrations/Postgres
/// dotnet ef migrations add NAME --project AkashML.Data --context SqliteAkashDbContext --output-dir Migrations/Sqlite
/// </code>
/// </remarks>
public abstract class AkashDbContext(DbContextOptions options) : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core's Data Protection key ring, shared by every replica (cookies and antiforgery tokens).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<ApiKeySpend> ApiKeySpend => Set<ApiKeySpend>();

    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();

    public DbSet<UsageRollup> UsageRollups => Set<UsageRollup>();

    public DbSet<InferencePayload> InferencePayloads => Set<InferencePayload>();

    public DbSet<InferenceRetention> InferenceRetention => Set<InferenceRetention>();

    public DbSet<BillingAccount> BillingAccounts => Set<BillingAccount>();

    public DbSet<CreditPool> CreditPools => Set<CreditPool>();

    public DbSet<LedgerEntry> LedgerEntries => Set<LedgerEntry>();

    public DbSet<CreditReservation> CreditReservations => Set<CreditReservation>();

    public DbSet<Payment> Payments => Set<Payment>();

    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();

    public DbSet<TrialClaim> TrialClaims => Set<TrialClaim>();

    public DbSet<Preset> Presets => Set<Preset>();

    /// <summary>Backends drained by an operator, read by every gateway replica.</summary>
    public DbSet<BackendDrain> BackendDrains => Set<BackendDrain>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AkashDbContext).Assembly);
        builder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
    }
}

/// <summary>The PostgreSQL flavour (production); migrations in <c>Migrations/Postgres</c>.</summary>
public sealed class PostgresAkashDbContext(DbContextOptions<PostgresAkashDbContext> options) : AkashDbContext(options);

/// <summary>The SQLite flavour (embedded default); migrations in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteAkashDbContext(DbContextOptions<SqliteAkashDbContext> options) : AkashDbContext(options)
{
    /// <summary>SQLite has no date-time type: store instants as sortable integers so range queries and ORDER BY run in SQL.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
