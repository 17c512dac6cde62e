// BEP 5 write tokens: a get_peers (or BEP 44 / named-value get) answer carries a token, and a later
// announce_peer or put from the same IP address must present it. This proves the writer can receive at
// the address it claims, which stops forged announces for someone else's address.
//
// token = first 8 bytes of SHA-256(secret ‖ address bytes), as BEP 5 suggests (a hash of the IP and a
// secret). The input has a fixed length per address family, so the length-extension weakness of a
// prefix-keyed hash does not apply, and it costs one SHA-256 block instead of HMAC's four (a token is
// computed for every get_peers, get and find_value answered). The port is left
// out on purpose: BEP 5 binds tokens to the IP, and clients announce from a port other than the one they
// query from. Eight bytes make a blind guess succeed with probability 2^-64 (libtorrent uses 4).
//
// The secret is replaced every RotationInterval and the previous one is still accepted, so a token
// handed out is honoured for at least one and less than two intervals (5-10 minutes by default, as
// BEP 5). Rotation is lazy, driven by the caller's `now`, so the manager needs no timer and tests need no
// clock. Not thread-safe: it belongs to the node's event loop like the rest of the node's state.
using System.Security.Cryptography;
using Dht.Protocol;

namespace Dht.Tokens;

/// <summary>Issues and checks write tokens bound to a requester's IP address.</summary>
internal sealed class TokenManager
{
    /// <summary>Length of every token this node issues.</summary>
    public const int TokenSize = 8;

    /// <summary>Secret rotation period. Default 5 minutes, from BEP 5 ("a secret that changes every five minutes").</summary>
    public static readonly TimeSpan DefaultRotationInterval = TimeSpan.FromMinutes(5);

    private const int SecretSize = 32;
    private const int MaxAddressSize = 16;

    private readonly long _intervalTicks;
    private byte[] _current = new byte[SecretSize];
    private byte[] _previous = new byte[SecretSize];
    private long _currentSinceTicks;
    private bool _started;

    /// <summary>Creates a manager with fresh random secrets.</summary>
    public TokenManager(TimeSpan? rotationInterval = null)
    {
        RotationInterval = rotationInterval ?? DefaultRotationInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RotationInterval, TimeSpan.Zero, nameof(rotationInterval));
        _intervalTicks = RotationInterval.Ticks;
        RandomNumberGenerator.Fill(_current);
        RandomNumberGenerator.Fill(_previous);
    }

    /// <summary>How often the secret changes; a token lives between one and two of these.</summary>
    public TimeSpan RotationInterval { get; }

    /// <summary>
    /// Writes the token for <paramref name="requester"/>'s IP address into <paramref name="destination"/>
    /// (at least <see cref="TokenSize"/> bytes) and returns the number of bytes written.
    /// </summary>
    public int WriteToken(NetEndPoint requester, DateTimeOffset now, Span<byte> destination)
    {
        if (destination.Length < TokenSize)
        {
            throw new ArgumentException($"A token needs {TokenSize} bytes.", nameof(destination));
        }

        Rotate(now);
        Compute(_current, requester, destination[..TokenSize]);
        return TokenSize;
    }

    /// <summary>
    /// True if <paramref name="token"/> was issued to <paramref name="requester"/>'s IP address (any port)
    /// under the current or the previous secret.
    /// </summary>
    public bool Validate(NetEndPoint requester, ReadOnlySpan<byte> token, DateTimeOffset now)
    {
        Rotate(now);
        if (token.Length != TokenSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[TokenSize];
        Compute(_current, requester, expected);
        bool current = CryptographicOperations.FixedTimeEquals(expected, token);
        Compute(_previous, requester, expected);
        bool previous = CryptographicOperations.FixedTimeEquals(expected, token);

        // Both secrets are always checked, so timing does not tell which one matched.
        return current | previous;
    }

    private void Rotate(DateTimeOffset now)
    {
        long ticks = now.UtcTicks;
        if (!_started)
        {
            _currentSinceTicks = ticks;
            _started = true;
            return;
        }

        long elapsed = ticks - _currentSinceTicks;
        if (elapsed < _intervalTicks)
        {
            return; // includes a clock that stepped back: keep the secrets rather than rotate early
        }

        long intervals = elapsed / _intervalTicks;
        if (intervals == 1)
        {
            (_previous, _current) = (_current, _previous);
        }
        else
        {
            // Two or more periods passed unseen: every token issued so far has expired.
            RandomNumberGenerator.Fill(_previous);
        }

        RandomNumberGenerator.Fill(_current);

        // Advance by whole periods so that a secret's lifetime does not depend on when we were asked.
        _currentSinceTicks += intervals * _intervalTicks;
    }

    private static void Compute(byte[] secret, NetEndPoint requester, Span<byte> token)
    {
        Span<byte> input = stackalloc byte[SecretSize + MaxAddressSize];
        secret.CopyTo(input);
        int length = requester.WriteAddress(input[SecretSize..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..(SecretSize + length)], hash);
        hash[..TokenSize].CopyTo(token);
        CryptographicOperations.ZeroMemory(input[..SecretSize]);
    }
}
