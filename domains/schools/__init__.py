"""Schools and institutions (RSPO): the level below the gmina where classes, teachers and exams live."""
