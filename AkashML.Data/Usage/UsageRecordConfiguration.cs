using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Usage;

internal sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public void Configure(EntityTypeBuilder<UsageRecord> builder)
    {
        builder.ToTable("UsageRecords");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.InferenceId).HasMaxLength(64);
        builder.Property(u => u.Model).HasMaxLength(200);
        builder.Property(u => u.Surface).HasMaxLength(16);
        builder.Property(u => u.Status).HasMaxLength(16);
        builder.Property(u => u.Error).HasMaxLength(2000);
        builder.Property(u => u.Parameters).HasMaxLength(2000);
        builder.HasIndex(u => u.InferenceId);
        builder.HasIndex(u => new { u.UserId, u.CreatedAt });
        builder.HasIndex(u => new { u.ApiKeyId, u.CreatedAt });

        // The usage and inferences pages filter one user's records by model, newest first.
        builder.HasIndex(u => new { u.UserId, u.Model, u.CreatedAt });
    }
}
