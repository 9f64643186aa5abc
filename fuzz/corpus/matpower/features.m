function mpc = features()
%{
block comment
%}
mpc.version = '2';
mpc.baseMVA = 100.0;
mpc.bus = [1, 3, 0, 0, 0, 0, 1, 1, 0, 345, 1, 1.1, 0.9
 2 1 1.5e1 -3 0 1e-2 1 1 -0.5 345 1 1.1 0.9 ;
 3 4 0 0 0 0 1 1 0 345 1 1.1 0.9 ...
];
mpc.gen = [1 0 0 Inf -Inf 1.02 100 1 Inf -Inf 0 0 0 0 0 0 0 0 0 0 0];
mpc.branch = [1 2 0.01 0.1 0.02 0 0 0 0.97 2.5 1; 2 3 0 0.1 0 0 0 0 0 0 1];
mpc.gencost = [1 0 0 2 0 0 100 1000];
mpc.bus_name = {'a'; 'b''c'; "d"};
mpc.areas = [1 1];
mpc.note = 'free text';
end
