using AkashML.Data.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Limits;

/// <remarks>Table and column names are used by the SQL in <see cref="PostgresLimitCounters"/>: keep them in step.</remarks>
internal sealed class RateWindowConfiguration : IEntityTypeConfiguration<RateWindow>
{
    public void Configure(EntityTypeBuilder<RateWindow> builder)
    {
        builder.ToTable("ApiKeyRateWindows");
        builder.HasKey(w => new { w.KeyId, w.Kind });
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(w => w.KeyId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <remarks>Table and column names are used by the SQL in <see cref="PostgresLimitCounters"/>: keep them in step.</remarks>
internal sealed class ConcurrencySlotConfiguration : IEntityTypeConfiguration<ConcurrencySlot>
{
    public void Configure(EntityTypeBuilder<ConcurrencySlot> builder)
    {
        builder.ToTable("ApiKeyConcurrencySlots");
        builder.HasKey(s => new { s.KeyId, s.Slot });
        builder.HasIndex(s => s.LeaseId);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(s => s.KeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
