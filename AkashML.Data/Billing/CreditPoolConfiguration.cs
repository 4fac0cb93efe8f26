using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Billing;

internal sealed class CreditPoolConfiguration : IEntityTypeConfiguration<CreditPool>
{
    public void Configure(EntityTypeBuilder<CreditPool> builder)
    {
        builder.ToTable("CreditPools");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Source).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Reference).HasMaxLength(200);
        builder.Property(p => p.Reason).HasMaxLength(500);
        builder.HasIndex(p => new { p.UserId, p.ExpiresAt });
        builder.HasOne(p => p.User).WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
