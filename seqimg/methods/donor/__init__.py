"""The donor method: real target phrases carried onto the source's harmony (AccoMontage's idea,
image quilting's for textures). Bars of the target's training pieces form a library; a whole
source piece is covered bar by bar by one dynamic-programming pass over (donor bar,
transposition) states, continuation of a donor phrase free and a jump costed; the source's
melody may take the donors' upper voice. Nothing is learned by gradient: the realism is
borrowed, and the report says how much is copied."""
