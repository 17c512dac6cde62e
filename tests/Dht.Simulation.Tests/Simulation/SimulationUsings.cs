// The simulation tests drive Dht.Simulation.SimulatedDht.
global using Dht.Simulation;
