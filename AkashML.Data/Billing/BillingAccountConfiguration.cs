using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Billing;

internal sealed class BillingAccountConfiguration : IEntityTypeConfiguration<BillingAccount>
{
    public void Configure(EntityTypeBuilder<BillingAccount> builder)
    {
        builder.ToTable("BillingAccounts");
        builder.HasKey(a => a.UserId);
        builder.Property(a => a.StripeCustomerId).HasMaxLength(100);
        builder.Property(a => a.PaymentMethodId).HasMaxLength(100);
        builder.Property(a => a.CardBrand).HasMaxLength(32);
        builder.Property(a => a.CardLast4).HasMaxLength(4);
        builder.Property(a => a.AutoTopUpLastError).HasMaxLength(500);
        builder.HasIndex(a => a.StripeCustomerId).IsUnique();
        builder.HasOne(a => a.User).WithOne().HasForeignKey<BillingAccount>(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
