/* The scenario schema, compiled into the program so that it validates
 * scenarios wherever it runs.  Exposes scenario_xsd / scenario_xsd_end. */
	.section .rodata
	.global scenario_xsd
	.global scenario_xsd_end
scenario_xsd:
	.incbin "scenarios/scenario.xsd"
scenario_xsd_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
