/* The schemas, compiled into the program so that it validates scenarios and
 * sweep files wherever it runs.  Exposes scenario_xsd / scenario_xsd_end
 * and sweep_xsd / sweep_xsd_end (each text is followed by a NUL byte). */
	.section .rodata
	.global scenario_xsd
	.global scenario_xsd_end
scenario_xsd:
	.incbin "scenarios/scenario.xsd"
scenario_xsd_end:
	.byte 0
	.global sweep_xsd
	.global sweep_xsd_end
sweep_xsd:
	.incbin "scenarios/sweep.xsd"
sweep_xsd_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
