import { Testing } from 'cdktf';

// Adds toHaveResourceWithProperties & co. Their property keys are snake_case Terraform names.
Testing.setupJest();
