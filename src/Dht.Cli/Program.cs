Console.WriteLine("dht");
