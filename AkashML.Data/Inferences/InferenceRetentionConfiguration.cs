using AkashML.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Inferences;

internal sealed class InferenceRetentionConfiguration : IEntityTypeConfiguration<InferenceRetention>
{
    public void Configure(EntityTypeBuilder<InferenceRetention> builder)
    {
        builder.ToTable("InferenceRetention");
        builder.HasKey(r => r.UserId);
        builder.Property(r => r.UserId).HasMaxLength(450);
        builder.HasOne<ApplicationUser>().WithOne().HasForeignKey<InferenceRetention>(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
