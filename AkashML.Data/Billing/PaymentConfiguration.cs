using AkashML.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Billing;

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.ToTable("Payments");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.CheckoutSessionId).HasMaxLength(200);
        builder.Property(p => p.PaymentIntentId).HasMaxLength(200);
        builder.Property(p => p.FailureCode).HasMaxLength(100);
        builder.Property(p => p.FailureMessage).HasMaxLength(500);
        builder.HasIndex(p => p.CheckoutSessionId).IsUnique();
        builder.HasIndex(p => p.PaymentIntentId).IsUnique();
        builder.HasIndex(p => new { p.UserId, p.CreatedAt });
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
