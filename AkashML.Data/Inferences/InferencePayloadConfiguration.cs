using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Inferences;

internal sealed class InferencePayloadConfiguration : IEntityTypeConfiguration<InferencePayload>
{
    public void Configure(EntityTypeBuilder<InferencePayload> builder)
    {
        builder.ToTable("InferencePayloads");
        builder.HasKey(p => p.InferenceId);
        builder.Property(p => p.InferenceId).HasMaxLength(64);
        builder.Property(p => p.UserId).HasMaxLength(450);
        builder.HasIndex(p => p.ExpiresAt);
        builder.HasIndex(p => p.UserId);
    }
}
