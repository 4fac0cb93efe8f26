using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Presets;

internal sealed class PresetConfiguration : IEntityTypeConfiguration<Preset>
{
    public void Configure(EntityTypeBuilder<Preset> builder)
    {
        builder.ToTable("Presets");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(Preset.MaxNameLength);
        builder.Property(p => p.ModelId).HasMaxLength(200);
        builder.Property(p => p.ParametersJson).HasMaxLength(Preset.MaxParametersLength);
        builder.Property(p => p.SystemPrompt).HasMaxLength(Preset.MaxSystemPromptLength);
        builder.HasIndex(p => new { p.UserId, p.Name }).IsUnique();
        builder.HasOne(p => p.User).WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
