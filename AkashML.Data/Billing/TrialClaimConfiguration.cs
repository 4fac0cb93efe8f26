using AkashML.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Billing;

internal sealed class TrialClaimConfiguration : IEntityTypeConfiguration<TrialClaim>
{
    public void Configure(EntityTypeBuilder<TrialClaim> builder)
    {
        builder.ToTable("TrialClaims");
        builder.HasKey(t => t.CardFingerprint);
        builder.Property(t => t.CardFingerprint).HasMaxLength(100);
        builder.HasIndex(t => t.UserId).IsUnique();
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
