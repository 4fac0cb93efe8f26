using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Usage;

internal sealed class UsageRollupConfiguration : IEntityTypeConfiguration<UsageRollup>
{
    public void Configure(EntityTypeBuilder<UsageRollup> builder)
    {
        builder.ToTable("UsageRollups");

        // The key is the upsert's conflict target, and its order serves the page's reads: one user, one granularity,
        // a time range — an index range scan however many records the user has.
        builder.HasKey(r => new { r.UserId, r.Granularity, r.BucketStart, r.ApiKeyId, r.Model });
        builder.Property(r => r.UserId).HasMaxLength(450);
        builder.Property(r => r.Model).HasMaxLength(200);
        builder.Property(r => r.Granularity).HasConversion<short>();
    }
}
