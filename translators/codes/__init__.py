"""Standard code tables: status, reason and appointment codes onto milestones, charge codes
onto charge classes, qualifiers onto canonical names, and time zones. Data as Python tables,
facts from /work/shared/reference."""
