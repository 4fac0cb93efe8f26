namespace AkashML.Data.Billing;

public enum ReservationStatus
{
    Open,
    Settled,
    Released,
}
