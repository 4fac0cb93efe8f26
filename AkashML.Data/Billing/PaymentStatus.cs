namespace AkashML.Data.Billing;

public enum PaymentStatus
{
    Pending,
    Succeeded,
    Failed,
    Expired,
}
