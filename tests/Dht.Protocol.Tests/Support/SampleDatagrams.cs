// Well-formed datagrams used as starting points by the randomized tests. The BEP 5 examples are copied
// verbatim from the BEP; the rest follow the same conventions.
namespace Dht.Protocol.Tests.Support;

internal static class SampleDatagrams
{
    public const string PingQuery = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";

    public const string PingResponse = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";

    public const string FindNodeQuery = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe";

    public const string GetPeersQuery = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe";

    public const string GetPeersValuesResponse = "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re";

    public const string AnnouncePeerQuery = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";

    public const string GenericError = "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee";

    public const string ImmutablePut = "d1:ad2:id20:abcdefghij01234567895:token8:aoeusnth1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe";

    public const string GetWithWant = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz1234564:wantl2:n42:n6ee1:q3:get1:t2:aa1:y1:qe";

    /// <summary>A find_node response carrying eight IPv4 contacts and one IPv6 contact, with v, ip and ro.</summary>
    public static string FindNodeResponseWithEightNodes()
    {
        var nodes = new System.Text.StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            nodes.Append(new string((char)('a' + i), 20));
            nodes.Append((char)10).Append((char)0).Append((char)0).Append((char)(i + 1));
            nodes.Append((char)0x1A).Append((char)(0xE1 + i));
        }

        string nodes6 = new string('z', 20) + "\u0020\u0001\u000d\u00b8" + new string('\0', 11) + "\u0001\u001a\u00e1";
        return $"d2:ip6:\u007f\0\0\u0001\u001a\u00e11:rd2:id20:0123456789abcdefghij5:nodes208:{nodes}6:nodes638:{nodes6}e2:roi1e1:t2:aa1:v4:DH\u0001\u00021:y1:re";
    }

    public static IReadOnlyList<string> All() =>
    [
        PingQuery,
        PingResponse,
        FindNodeQuery,
        GetPeersQuery,
        GetPeersValuesResponse,
        AnnouncePeerQuery,
        GenericError,
        ImmutablePut,
        GetWithWant,
        FindNodeResponseWithEightNodes(),
    ];
}
