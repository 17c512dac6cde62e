namespace Dht.Protocol.Krpc;

/// <summary>KRPC error codes (BEP 5 201-204, BEP 44 205-207 and 301-302).</summary>
public static class KrpcErrorCode
{
    /// <summary>Generic error.</summary>
    public const int Generic = 201;

    /// <summary>Server error.</summary>
    public const int Server = 202;

    /// <summary>Protocol error: malformed packet, invalid arguments or bad token.</summary>
    public const int Protocol = 203;

    /// <summary>Method unknown.</summary>
    public const int MethodUnknown = 204;

    /// <summary>BEP 44: message (v field) too big.</summary>
    public const int ValueTooBig = 205;

    /// <summary>BEP 44: invalid signature.</summary>
    public const int InvalidSignature = 206;

    /// <summary>BEP 44: salt (salt field) too big.</summary>
    public const int SaltTooBig = 207;

    /// <summary>BEP 44: the CAS hash mismatched, re-read value and try again.</summary>
    public const int CasMismatch = 301;

    /// <summary>BEP 44: sequence number less than current.</summary>
    public const int SequenceTooOld = 302;
}
