using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Backends;

internal sealed class BackendDrainConfiguration : IEntityTypeConfiguration<BackendDrain>
{
    public void Configure(EntityTypeBuilder<BackendDrain> builder)
    {
        builder.ToTable("BackendDrains");
        builder.HasKey(d => new { d.ModelId, d.BackendIndex });
        builder.Property(d => d.ModelId).HasMaxLength(BackendDrain.MaxModelIdLength);
        builder.Property(d => d.Target).HasMaxLength(BackendDrain.MaxTargetLength);
    }
}
